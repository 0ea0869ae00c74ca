//! Detection metrics, pure computation (no I/O): COCO matching and average precision, image-level
//! ROC, the confusion between categories.
//!
//! [`coco_ap`] follows pycocotools' `COCOeval` for `iouType='bbox'` step by step, so that its
//! figures agree with pycocotools to rounding:
//!
//! - per image, ground truth (GT) is sorted with non-ignored boxes first (stable), detections by
//!   score, best first (stable), and only the best [`CocoParams::max_dets`] are kept;
//! - IoU of boxes `[x, y, w, h]`; against a crowd GT (`iscrowd`) the union is the detection's area;
//! - at each IoU threshold `t` (capped at `1 - 1e-10`), each detection in score order takes the
//!   unmatched GT with the highest IoU `>= t`; a crowd GT may be matched many times; a detection
//!   already matched to a regular GT never moves to an ignored one; a detection matched to an
//!   ignored GT is ignored (neither true nor false positive);
//! - all images' detections are pooled and sorted by score (stable, images in index order);
//!   precision is made monotone from the right and read at the 101 recall points
//!   `0, 0.01, ..., 1` (`searchsorted(..., side='left')`; points beyond the last recall reached
//!   read 0); AP at `t` is the mean of those 101 values; AP50:95 is the mean over the
//!   ten thresholds `0.50:0.05:0.95`;
//! - a label with no non-ignored GT has no AP (`None`, pycocotools' `-1`).
//!
//! The area range is `all` (pycocotools' `[0, 1e10]`): areas play no part here.

/// The evaluation parameters of COCO's `bbox` evaluation.
#[derive(Clone, Debug, PartialEq)]
pub struct CocoParams {
    /// IoU thresholds, `0.50:0.05:0.95` by default (computed as numpy's `linspace`).
    pub iou_thresholds: Vec<f64>,
    /// Recall points, `0:0.01:1` by default (numpy's `linspace`).
    pub recall_points: Vec<f64>,
    /// Detections kept per image and label, best first.
    pub max_dets: usize,
}

/// `numpy.linspace(start, stop, num)`: `start + i * step`, the last value exactly `stop`.
#[must_use]
pub fn linspace(start: f64, stop: f64, num: usize) -> Vec<f64> {
    if num == 0 {
        return Vec::new();
    }
    if num == 1 {
        return vec![start];
    }
    #[allow(clippy::cast_precision_loss)]
    let step = (stop - start) / (num - 1) as f64;
    #[allow(clippy::cast_precision_loss)]
    let mut v: Vec<f64> = (0..num).map(|i| i as f64 * step + start).collect();
    if let Some(last) = v.last_mut() {
        *last = stop;
    }
    v
}

impl Default for CocoParams {
    fn default() -> Self {
        Self {
            iou_thresholds: linspace(0.5, 0.95, 10),
            recall_points: linspace(0.0, 1.0, 101),
            max_dets: 100,
        }
    }
}

/// A ground-truth box of one label.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GtRef {
    /// Index of the image (images are taken in index order).
    pub image: usize,
    /// `[x, y, w, h]` in pixels.
    pub bbox: [f64; 4],
    /// A crowd region: matched by detections inside it, never counted as missed.
    pub iscrowd: bool,
    /// Ignored for this evaluation (as COCO ignores GT outside an area range): a detection
    /// matched to it is neither a true nor a false positive; it is never counted as missed.
    pub ignore: bool,
}

/// A detection of one label.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DtRef {
    /// Index of the image.
    pub image: usize,
    /// `[x, y, w, h]` in pixels.
    pub bbox: [f64; 4],
    /// The detector's score.
    pub score: f64,
}

/// The outcome of [`coco_ap`] for one label.
#[derive(Clone, Debug, PartialEq)]
pub struct ApResult {
    /// Non-ignored GT boxes (pycocotools' `npig`).
    pub gt_count: usize,
    /// Detections evaluated (after the per-image `max_dets` cut).
    pub dt_count: usize,
    /// AP at each IoU threshold; `None` when there is no non-ignored GT.
    pub ap_per_iou: Vec<Option<f64>>,
    /// Interpolated precision at each recall point, at each IoU threshold (`[t][r]`); empty
    /// rows when there is no non-ignored GT.
    pub precision: Vec<Vec<f64>>,
    /// The recall reached with every detection, at each IoU threshold.
    pub max_recall: Vec<Option<f64>>,
    /// For each GT given (input order): the score of the detection matched to it at the first
    /// IoU threshold (0.5 by default), or `None` when missed (or ignored / crowd).
    pub gt_match_score_first_iou: Vec<Option<f64>>,
}

impl ApResult {
    /// AP at the first IoU threshold (AP50 with the default parameters).
    #[must_use]
    pub fn ap_first(&self) -> Option<f64> {
        self.ap_per_iou.first().copied().flatten()
    }

    /// The mean AP over all IoU thresholds (AP50:95 with the default parameters).
    #[must_use]
    pub fn ap_mean(&self) -> Option<f64> {
        let vals: Option<Vec<f64>> = self.ap_per_iou.iter().copied().collect();
        let vals = vals?;
        if vals.is_empty() {
            return None;
        }
        #[allow(clippy::cast_precision_loss)]
        Some(vals.iter().sum::<f64>() / vals.len() as f64)
    }
}

/// IoU as pycocotools' `bbIou`: boxes `[x, y, w, h]`; with `crowd`, the union is `dt`'s area.
#[must_use]
pub fn iou_xywh(dt: &[f64; 4], gt: &[f64; 4], crowd: bool) -> f64 {
    let w = (dt[0] + dt[2]).min(gt[0] + gt[2]) - dt[0].max(gt[0]);
    if w <= 0.0 {
        return 0.0;
    }
    let h = (dt[1] + dt[3]).min(gt[1] + gt[3]) - dt[1].max(gt[1]);
    if h <= 0.0 {
        return 0.0;
    }
    let i = w * h;
    let u = if crowd {
        dt[2] * dt[3]
    } else {
        dt[2] * dt[3] + gt[2] * gt[3] - i
    };
    if u <= 0.0 {
        0.0
    } else {
        i / u
    }
}

/// One image's matches (pycocotools' `evaluateImg` output).
struct ImageEval {
    /// Scores of kept detections, best first.
    scores: Vec<f64>,
    /// `[t][d]`: matched to a GT at threshold `t`.
    matched: Vec<Vec<bool>>,
    /// `[t][d]`: ignored at threshold `t`.
    ignored: Vec<Vec<bool>>,
    /// Non-ignored GT in this image.
    npig: usize,
}

/// Sorts indices by score, best first, stable (numpy `argsort(-s, kind='mergesort')`).
fn by_score_desc(idx: &mut [usize], score: impl Fn(usize) -> f64) {
    idx.sort_by(|&a, &b| score(b).total_cmp(&score(a)));
}

/// Matches one image's detections to its GT at every threshold. `gt` and `dt` index into
/// `gts`/`dts`; `gt_match` receives, per GT index, the matched detection's score at threshold 0.
fn evaluate_image(
    gts: &[GtRef],
    dts: &[DtRef],
    gt: &[usize],
    dt: &[usize],
    p: &CocoParams,
    gt_match: &mut [Option<f64>],
) -> ImageEval {
    let ignored_gt = |g: usize| gts[g].ignore || gts[g].iscrowd;
    // Non-ignored GT first, stable.
    let mut gt_order: Vec<usize> = gt.to_vec();
    gt_order.sort_by_key(|&g| ignored_gt(g));
    let mut dt_order: Vec<usize> = dt.to_vec();
    by_score_desc(&mut dt_order, |d| dts[d].score);
    dt_order.truncate(p.max_dets);

    let ious: Vec<Vec<f64>> = dt_order
        .iter()
        .map(|&d| {
            gt_order
                .iter()
                .map(|&g| iou_xywh(&dts[d].bbox, &gts[g].bbox, gts[g].iscrowd))
                .collect()
        })
        .collect();
    let gt_ig: Vec<bool> = gt_order.iter().map(|&g| ignored_gt(g)).collect();
    let crowd: Vec<bool> = gt_order.iter().map(|&g| gts[g].iscrowd).collect();
    let (nt, nd, ng) = (p.iou_thresholds.len(), dt_order.len(), gt_order.len());
    let mut matched = vec![vec![false; nd]; nt];
    let mut ignored = vec![vec![false; nd]; nt];
    for (ti, &t) in p.iou_thresholds.iter().enumerate() {
        let mut gt_taken = vec![false; ng];
        for di in 0..nd {
            let mut best = t.min(1.0 - 1e-10);
            let mut m: Option<usize> = None;
            for gi in 0..ng {
                if gt_taken[gi] && !crowd[gi] {
                    continue;
                }
                if let Some(mi) = m {
                    if !gt_ig[mi] && gt_ig[gi] {
                        break;
                    }
                }
                if ious[di][gi] < best {
                    continue;
                }
                best = ious[di][gi];
                m = Some(gi);
            }
            if let Some(mi) = m {
                ignored[ti][di] = gt_ig[mi];
                matched[ti][di] = true;
                gt_taken[mi] = true;
                if ti == 0 && !gt_ig[mi] {
                    gt_match[gt_order[mi]] = Some(dts[dt_order[di]].score);
                }
            }
        }
    }
    ImageEval {
        scores: dt_order.iter().map(|&d| dts[d].score).collect(),
        matched,
        ignored,
        npig: gt_ig.iter().filter(|g| !**g).count(),
    }
}

/// COCO average precision of one label over `image_count` images (see the module docs).
/// Boxes whose `image` is not below `image_count` are left out.
#[must_use]
pub fn coco_ap(image_count: usize, gts: &[GtRef], dts: &[DtRef], p: &CocoParams) -> ApResult {
    let mut gt_by_image: Vec<Vec<usize>> = vec![Vec::new(); image_count];
    let mut dt_by_image: Vec<Vec<usize>> = vec![Vec::new(); image_count];
    for (i, g) in gts.iter().enumerate() {
        if let Some(v) = gt_by_image.get_mut(g.image) {
            v.push(i);
        }
    }
    for (i, d) in dts.iter().enumerate() {
        if let Some(v) = dt_by_image.get_mut(d.image) {
            v.push(i);
        }
    }
    let mut gt_match = vec![None; gts.len()];
    let evals: Vec<ImageEval> = (0..image_count)
        .filter(|&i| !gt_by_image[i].is_empty() || !dt_by_image[i].is_empty())
        .map(|i| evaluate_image(gts, dts, &gt_by_image[i], &dt_by_image[i], p, &mut gt_match))
        .collect();

    let nt = p.iou_thresholds.len();
    let npig: usize = evals.iter().map(|e| e.npig).sum();
    let scores: Vec<f64> = evals
        .iter()
        .flat_map(|e| e.scores.iter().copied())
        .collect();
    let dt_count = scores.len();
    if npig == 0 {
        return ApResult {
            gt_count: 0,
            dt_count,
            ap_per_iou: vec![None; nt],
            precision: vec![Vec::new(); nt],
            max_recall: vec![None; nt],
            gt_match_score_first_iou: gt_match,
        };
    }
    let mut order: Vec<usize> = (0..dt_count).collect();
    by_score_desc(&mut order, |i| scores[i]);
    let mut ap_per_iou = Vec::with_capacity(nt);
    let mut precision = Vec::with_capacity(nt);
    let mut max_recall = Vec::with_capacity(nt);
    #[allow(clippy::cast_precision_loss)]
    let npig_f = npig as f64;
    for t in 0..nt {
        let matched: Vec<bool> = evals
            .iter()
            .flat_map(|e| e.matched[t].iter().copied())
            .collect();
        let ignored: Vec<bool> = evals
            .iter()
            .flat_map(|e| e.ignored[t].iter().copied())
            .collect();
        let (mut tp, mut fp) = (0.0f64, 0.0f64);
        let mut rc = Vec::with_capacity(dt_count);
        let mut pr = Vec::with_capacity(dt_count);
        for &i in &order {
            if !ignored[i] {
                if matched[i] {
                    tp += 1.0;
                } else {
                    fp += 1.0;
                }
            }
            rc.push(tp / npig_f);
            pr.push(tp / (fp + tp + f64::EPSILON));
        }
        max_recall.push(Some(rc.last().copied().unwrap_or(0.0)));
        for i in (1..pr.len()).rev() {
            if pr[i] > pr[i - 1] {
                pr[i - 1] = pr[i];
            }
        }
        let q: Vec<f64> = p
            .recall_points
            .iter()
            .map(|&r| {
                // searchsorted(rc, r, side='left'): the first index with rc[i] >= r.
                let pi = rc.partition_point(|&v| v < r);
                pr.get(pi).copied().unwrap_or(0.0)
            })
            .collect();
        #[allow(clippy::cast_precision_loss)]
        let ap = if q.is_empty() {
            0.0
        } else {
            q.iter().sum::<f64>() / q.len() as f64
        };
        ap_per_iou.push(Some(ap));
        precision.push(q);
    }
    ApResult {
        gt_count: npig,
        dt_count,
        ap_per_iou,
        precision,
        max_recall,
        gt_match_score_first_iou: gt_match,
    }
}

/// One operating point of an image-level ROC: flag an image when its score is at least
/// `threshold`.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RocPoint {
    pub threshold: f64,
    /// False-alarm rate: flagged negatives / negatives.
    pub far: f64,
    /// Probability of detection: flagged positives / positives.
    pub pd: f64,
}

/// An image-level ROC.
#[derive(Clone, Debug, PartialEq)]
pub struct Roc {
    pub positives: usize,
    pub negatives: usize,
    /// From the highest threshold (flag nothing: `(0, 0)` at `+inf`) down to the lowest image
    /// score (flag everything).
    pub points: Vec<RocPoint>,
    /// Area under the curve (trapezoids); `None` without positives or negatives.
    pub auc: Option<f64>,
}

/// The image-level ROC of `scores` (one per image; an image with no detection scores 0) against
/// `positive`. Equal scores form one point. Pairs beyond the shorter slice are left out.
#[must_use]
pub fn image_roc(scores: &[f64], positive: &[bool]) -> Roc {
    let n = scores.len().min(positive.len());
    let positives = positive[..n].iter().filter(|p| **p).count();
    let negatives = n - positives;
    let mut order: Vec<usize> = (0..n).collect();
    by_score_desc(&mut order, |i| scores[i]);
    #[allow(clippy::cast_precision_loss)]
    let rate = |k: usize, of: usize| if of == 0 { 0.0 } else { k as f64 / of as f64 };
    let mut points = vec![RocPoint {
        threshold: f64::INFINITY,
        far: 0.0,
        pd: 0.0,
    }];
    let (mut tp, mut fp) = (0usize, 0usize);
    let mut i = 0;
    while i < n {
        let s = scores[order[i]];
        while i < n && scores[order[i]].total_cmp(&s).is_eq() {
            if positive[order[i]] {
                tp += 1;
            } else {
                fp += 1;
            }
            i += 1;
        }
        points.push(RocPoint {
            threshold: s,
            far: rate(fp, negatives),
            pd: rate(tp, positives),
        });
    }
    let auc = (positives > 0 && negatives > 0).then(|| {
        points
            .windows(2)
            .map(|w| (w[1].far - w[0].far) * (w[1].pd + w[0].pd) / 2.0)
            .sum()
    });
    Roc {
        positives,
        negatives,
        points,
        auc,
    }
}

/// The best probability of detection among the ROC's points whose false-alarm rate is at most
/// `far_target` (no interpolation between points); `None` without positives or negatives.
#[must_use]
pub fn pd_at_far(roc: &Roc, far_target: f64) -> Option<RocPoint> {
    if roc.positives == 0 || roc.negatives == 0 {
        return None;
    }
    roc.points
        .iter()
        .filter(|p| p.far <= far_target + 1e-12)
        .max_by(|a, b| a.pd.total_cmp(&b.pd).then(b.far.total_cmp(&a.far)))
        .copied()
}

/// A box of a category for the confusion matrix.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CatBox {
    pub image: usize,
    /// Index of the category (`0..categories`).
    pub category: usize,
    /// `[x, y, w, h]`.
    pub bbox: [f64; 4],
    /// The detection's score (unused for GT).
    pub score: f64,
}

/// The confusion between `categories` categories: a `(categories + 1) x (categories + 1)` matrix,
/// rows the GT category then `background`, columns the predicted category then `missed`.
///
/// Per image, detections scoring at least `score_threshold` and GT boxes are paired one to one,
/// greedily by IoU (highest first; ties by GT then detection order), pairs with IoU at least
/// `iou_threshold` only, whatever their categories. A pair adds to `[gt][predicted]`, an unpaired
/// GT to `[gt][missed]`, an unpaired detection to `[background][predicted]`;
/// `[background][missed]` stays 0.
#[must_use]
pub fn confusion(
    categories: usize,
    gts: &[CatBox],
    dts: &[CatBox],
    iou_threshold: f64,
    score_threshold: f64,
) -> Vec<Vec<u64>> {
    let k = categories;
    let mut m = vec![vec![0u64; k + 1]; k + 1];
    let mut images: Vec<usize> = gts.iter().chain(dts).map(|b| b.image).collect();
    images.sort_unstable();
    images.dedup();
    for img in images {
        let g: Vec<&CatBox> = gts
            .iter()
            .filter(|b| b.image == img && b.category < k)
            .collect();
        let d: Vec<&CatBox> = dts
            .iter()
            .filter(|b| b.image == img && b.category < k && b.score >= score_threshold)
            .collect();
        let mut pairs: Vec<(f64, usize, usize)> = Vec::new();
        for (gi, gb) in g.iter().enumerate() {
            for (di, db) in d.iter().enumerate() {
                let iou = iou_xywh(&db.bbox, &gb.bbox, false);
                if iou >= iou_threshold {
                    pairs.push((iou, gi, di));
                }
            }
        }
        pairs.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
        let (mut g_used, mut d_used) = (vec![false; g.len()], vec![false; d.len()]);
        for (_, gi, di) in pairs {
            if !g_used[gi] && !d_used[di] {
                g_used[gi] = true;
                d_used[di] = true;
                m[g[gi].category][d[di].category] += 1;
            }
        }
        for (gi, gb) in g.iter().enumerate() {
            if !g_used[gi] {
                m[gb.category][k] += 1;
            }
        }
        for (di, db) in d.iter().enumerate() {
            if !d_used[di] {
                m[k][db.category] += 1;
            }
        }
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gt(image: usize, b: [f64; 4]) -> GtRef {
        GtRef {
            image,
            bbox: b,
            iscrowd: false,
            ignore: false,
        }
    }
    fn dt(image: usize, b: [f64; 4], score: f64) -> DtRef {
        DtRef {
            image,
            bbox: b,
            score,
        }
    }
    fn close(a: Option<f64>, b: f64) -> bool {
        a.is_some_and(|a| (a - b).abs() < 1e-9)
    }

    #[test]
    fn thresholds_are_numpy_linspace() {
        let p = CocoParams::default();
        assert_eq!(p.iou_thresholds.len(), 10);
        assert_eq!(p.recall_points.len(), 101);
        assert!((p.iou_thresholds[1] - 0.55).abs() < 1e-12);
        assert_eq!(p.iou_thresholds[9], 0.95);
        assert_eq!(p.recall_points[100], 1.0);
    }

    #[test]
    fn perfect_predictions_give_one() {
        let g = [
            gt(0, [10.0, 10.0, 20.0, 30.0]),
            gt(1, [0.0, 0.0, 5.0, 5.0]),
            gt(1, [50.0, 50.0, 10.0, 10.0]),
        ];
        let d: Vec<DtRef> = g
            .iter()
            .enumerate()
            .map(|(i, g)| dt(g.image, g.bbox, 0.9 - 0.1 * i as f64))
            .collect();
        let r = coco_ap(3, &g, &d, &CocoParams::default());
        assert!(close(r.ap_first(), 1.0));
        assert!(close(r.ap_mean(), 1.0));
        assert_eq!(r.gt_count, 3);
        assert!(r.gt_match_score_first_iou.iter().all(Option::is_some));
    }

    #[test]
    fn one_false_positive_above_one_true_positive() {
        // Ranked: FP (0.9), TP (0.8). Recall 1 is reached at precision 1/2; interpolated
        // precision is 1/2 at every recall point: AP = 0.5 at every threshold.
        let g = [gt(0, [0.0, 0.0, 10.0, 10.0])];
        let d = [
            dt(0, [100.0, 100.0, 10.0, 10.0], 0.9),
            dt(0, [0.0, 0.0, 10.0, 10.0], 0.8),
        ];
        let r = coco_ap(1, &g, &d, &CocoParams::default());
        assert!(close(r.ap_first(), 0.5), "{:?}", r.ap_first());
        assert!(close(r.ap_mean(), 0.5));
    }

    #[test]
    fn true_positive_above_false_positive_then_a_miss() {
        // Two GT, one found first: recall 0.5 at precision 1, then an FP. Recall points
        // 0..=0.5 (51 of 101) read precision 1, the rest 0: AP = 51/101.
        let g = [gt(0, [0.0, 0.0, 10.0, 10.0]), gt(1, [0.0, 0.0, 10.0, 10.0])];
        let d = [
            dt(0, [0.0, 0.0, 10.0, 10.0], 0.9),
            dt(1, [50.0, 50.0, 10.0, 10.0], 0.8),
        ];
        let r = coco_ap(2, &g, &d, &CocoParams::default());
        assert!(close(r.ap_first(), 51.0 / 101.0), "{:?}", r.ap_first());
        assert_eq!(r.gt_match_score_first_iou, vec![Some(0.9), None]);
    }

    #[test]
    fn iou_threshold_steps_show_in_ap50_95() {
        // IoU of the only detection is 0.72: a hit at 0.50..0.70 (5 of 10 thresholds).
        let g = [gt(0, [0.0, 0.0, 100.0, 100.0])];
        let d = [dt(0, [0.0, 0.0, 100.0, 72.0], 0.5)];
        let r = coco_ap(1, &g, &d, &CocoParams::default());
        assert!(close(r.ap_first(), 1.0));
        assert!(close(r.ap_mean(), 0.5), "{:?}", r.ap_mean());
    }

    #[test]
    fn empty_cases() {
        let p = CocoParams::default();
        let none = coco_ap(3, &[], &[], &p);
        assert_eq!(none.ap_first(), None);
        assert_eq!(none.ap_mean(), None);
        let only_dt = coco_ap(1, &[], &[dt(0, [0.0, 0.0, 1.0, 1.0], 0.5)], &p);
        assert_eq!(only_dt.ap_first(), None);
        let only_gt = coco_ap(1, &[gt(0, [0.0, 0.0, 1.0, 1.0])], &[], &p);
        assert!(close(only_gt.ap_first(), 0.0));
    }

    #[test]
    fn crowd_and_ignored_gt_neither_help_nor_hurt() {
        let mut crowd = gt(0, [0.0, 0.0, 100.0, 100.0]);
        crowd.iscrowd = true;
        let g = [gt(0, [200.0, 200.0, 10.0, 10.0]), crowd];
        // Two detections inside the crowd region (ignored), one on the real GT.
        let d = [
            dt(0, [10.0, 10.0, 20.0, 20.0], 0.95),
            dt(0, [40.0, 40.0, 20.0, 20.0], 0.9),
            dt(0, [200.0, 200.0, 10.0, 10.0], 0.5),
        ];
        let r = coco_ap(1, &g, &d, &CocoParams::default());
        assert_eq!(r.gt_count, 1);
        assert!(close(r.ap_first(), 1.0));
    }

    #[test]
    fn crowd_iou_uses_detection_area() {
        assert!(
            (iou_xywh(&[0.0, 0.0, 10.0, 10.0], &[0.0, 0.0, 100.0, 100.0], true) - 1.0).abs()
                < 1e-12
        );
        assert!(
            (iou_xywh(&[0.0, 0.0, 10.0, 10.0], &[0.0, 0.0, 100.0, 100.0], false) - 0.01).abs()
                < 1e-12
        );
        assert_eq!(
            iou_xywh(&[0.0, 0.0, 10.0, 10.0], &[10.0, 0.0, 10.0, 10.0], false),
            0.0
        );
    }

    #[test]
    fn max_dets_cuts_per_image() {
        let g = [gt(0, [0.0, 0.0, 10.0, 10.0])];
        let d = [
            dt(0, [50.0, 50.0, 10.0, 10.0], 0.9),
            dt(0, [0.0, 0.0, 10.0, 10.0], 0.8),
        ];
        let p = CocoParams {
            max_dets: 1,
            ..CocoParams::default()
        };
        let r = coco_ap(1, &g, &d, &p);
        assert!(close(r.ap_first(), 0.0));
        assert_eq!(r.dt_count, 1);
    }

    #[test]
    fn roc_of_separable_scores() {
        let r = image_roc(&[0.9, 0.8, 0.3, 0.1], &[true, true, false, false]);
        assert_eq!((r.positives, r.negatives), (2, 2));
        assert!(close(r.auc, 1.0));
        let at = pd_at_far(&r, 0.01).map(|p| (p.pd, p.far));
        assert_eq!(at, Some((1.0, 0.0)));
        let last = r.points.last().map(|p| (p.far, p.pd));
        assert_eq!(last, Some((1.0, 1.0)));
    }

    #[test]
    fn roc_with_ties_and_inversions() {
        // Scores: pos 0.5, neg 0.5 (tie), pos 0.2, neg 0.9.
        let r = image_roc(&[0.5, 0.5, 0.2, 0.9], &[true, false, true, false]);
        let pts: Vec<(f64, f64)> = r.points.iter().map(|p| (p.far, p.pd)).collect();
        assert_eq!(pts, vec![(0.0, 0.0), (0.5, 0.0), (1.0, 0.5), (1.0, 1.0)]);
        assert!(close(r.auc, 0.125), "{:?}", r.auc);
        assert_eq!(pd_at_far(&r, 0.05).map(|p| p.pd), Some(0.0));
        assert!(pd_at_far(&image_roc(&[0.5], &[true]), 0.05).is_none());
    }

    #[test]
    fn confusion_pairs_by_iou_across_categories() {
        let b = |image, category, bbox, score| CatBox {
            image,
            category,
            bbox,
            score,
        };
        let gts = [
            b(0, 0, [0.0, 0.0, 10.0, 10.0], 0.0),
            b(0, 2, [50.0, 50.0, 10.0, 10.0], 0.0),
            b(1, 1, [0.0, 0.0, 10.0, 10.0], 0.0),
        ];
        let dts = [
            b(0, 1, [0.0, 0.0, 10.0, 9.0], 0.9),  // firearm GT seen as a part
            b(0, 0, [0.0, 0.0, 10.0, 10.0], 0.8), // better overlap: takes the firearm GT
            b(0, 2, [300.0, 0.0, 10.0, 10.0], 0.9), // background
            b(1, 1, [0.0, 0.0, 10.0, 10.0], 0.1), // below the score threshold: part missed
        ];
        let m = confusion(3, &gts, &dts, 0.5, 0.5);
        assert_eq!(m[0][0], 1);
        assert_eq!(m[3][1], 1, "the part detection lost the pairing");
        assert_eq!(m[3][2], 1);
        assert_eq!(m[2][3], 1, "ammunition missed");
        assert_eq!(m[1][3], 1, "part missed (detection below threshold)");
        assert_eq!(m.iter().flatten().sum::<u64>(), 5);
    }
}
