//! Decoding the model's output tensor as its manifest describes it.

use armscan_core::BoxInModel;
use ndarray::ArrayView2;

use crate::error::DetectError;
use crate::manifest::{BoxLayout, OutputSpec, ScoreKind};

/// One scored box of one frame, before mapping back to the image.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Candidate {
    pub class_index: usize,
    pub score: f32,
    pub box_in_model: BoxInModel,
}

fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

/// Decodes one frame's output rows: `rows` is `[K, 4 + C]` (or `[4 + C, K]` when the manifest
/// says `candidates_last`). Every (box, class) pair scoring at least `min_score` is returned.
///
/// # Errors
/// [`DetectError::Output`] when the shape does not fit the manifest's class count.
pub fn decode_frame(
    spec: &OutputSpec,
    rows: ArrayView2<'_, f32>,
    num_classes: usize,
    min_score: f32,
) -> Result<Vec<Candidate>, DetectError> {
    let rows = if spec.candidates_last {
        rows.reversed_axes()
    } else {
        rows
    };
    let width = rows.ncols();
    if width != 4 + num_classes {
        return Err(DetectError::Output(format!(
            "each candidate has {width} values, the manifest's {num_classes} classes need {}",
            4 + num_classes
        )));
    }
    let logits = spec.scores == ScoreKind::Logit;
    let cxcywh = spec.layout == BoxLayout::CxcywhScores;
    let mut out = Vec::new();
    for row in rows.outer_iter() {
        let (a, b, c, d) = (row[0], row[1], row[2], row[3]);
        let bx = if cxcywh {
            BoxInModel::new(a - c / 2.0, b - d / 2.0, a + c / 2.0, b + d / 2.0)
        } else {
            BoxInModel::new(a, b, c, d)
        };
        if !bx.is_finite() {
            continue;
        }
        for class_index in 0..num_classes {
            let raw = row[4 + class_index];
            let score = if logits { sigmoid(raw) } else { raw };
            if score.is_finite() && score >= min_score {
                out.push(Candidate {
                    class_index,
                    score: score.min(1.0),
                    box_in_model: bx,
                });
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::BoxSpace;
    use ndarray::array;

    fn spec(layout: &str, scores: &str, candidates_last: bool) -> OutputSpec {
        let layout = BoxLayout::try_from(layout.to_owned()).expect("a known layout");
        let scores = ScoreKind::try_from(scores.to_owned()).expect("a known score kind");
        OutputSpec {
            name: "o".into(),
            layout,
            box_space: BoxSpace::ModelInputPx,
            scores,
            candidates_last,
        }
    }

    #[test]
    fn decodes_xyxy_probabilities() {
        let rows = array![
            [1.0f32, 2.0, 11.0, 12.0, 0.9, 0.01],
            [0.0, 0.0, 5.0, 5.0, 0.02, 0.03]
        ];
        let c = decode_frame(
            &spec("xyxy_scores", "probability", false),
            rows.view(),
            2,
            0.05,
        );
        let c = c.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].class_index, 0);
        assert_eq!(c[0].box_in_model.to_array(), [1.0, 2.0, 11.0, 12.0]);
    }

    #[test]
    fn decodes_cxcywh_logits_candidates_last() {
        // [4 + C, K] with K = 1: cx=10, cy=10, w=4, h=2, logit 0 -> 0.5
        let rows = array![[10.0f32], [10.0], [4.0], [2.0], [0.0]];
        let c = decode_frame(&spec("cxcywh_scores", "logit", true), rows.view(), 1, 0.1)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c[0].box_in_model.to_array(), [8.0, 9.0, 12.0, 11.0]);
        assert!((c[0].score - 0.5).abs() < 1e-6);
    }

    #[test]
    fn wrong_width_is_an_error() {
        let rows = array![[1.0f32, 2.0, 3.0, 4.0, 0.5]];
        assert!(decode_frame(
            &spec("xyxy_scores", "probability", false),
            rows.view(),
            3,
            0.05
        )
        .is_err());
    }
}
