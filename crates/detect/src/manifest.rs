//! The model manifest: everything about a model that code must not hard-wire.
//!
//! It sits beside the `.onnx` file as `NAME.manifest.json` and says what the input looks like,
//! how scans are brought to the model's working scale and framed, how to read the output, which
//! classes the scores stand for and their Protocol category, the default thresholds, and the
//! sha256 of the model file (checked at load).

use std::path::{Path, PathBuf};

use armscan_core::{ClassInfo, NestedDamping, Taxonomy, Thresholds, ViewFusion};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::DetectError;

/// The schema tag this crate reads.
pub const MANIFEST_SCHEMA: &str = "armscan.model/1";

/// The largest `framing.max_upscale` a manifest may ask for: with it, a scan's working image is
/// at most this many times its own size a side, whatever the spacings say.
pub const MAX_UPSCALE_LIMIT: f32 = 16.0;

/// The largest `framing.coarse_pass.factor` a manifest may ask for.
pub const MAX_COARSE_FACTOR: f32 = 16.0;

/// A closed set of words a manifest field takes, typed when the manifest is read: a word outside
/// the set is a load error naming the field, so nothing compares strings at run time.
macro_rules! manifest_word {
    (
        $(#[$meta:meta])* $name:ident, $field:literal,
        { $($(#[$vmeta:meta])* $variant:ident = $text:literal),+ $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "&'static str")]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $name {
            /// The word as the manifest writes it.
            #[must_use]
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $text),+
                }
            }
        }

        impl From<$name> for &'static str {
            fn from(value: $name) -> Self {
                value.as_str()
            }
        }

        impl TryFrom<String> for $name {
            type Error = String;
            fn try_from(text: String) -> Result<Self, String> {
                match text.as_str() {
                    $($text => Ok(Self::$variant),)+
                    _ => Err(format!("{} `{}` ({})", $field, text, [$($text),+].join(" or "))),
                }
            }
        }
    };
}

manifest_word!(
    /// The memory layout of the input tensor.
    TensorLayout, "input.layout", { Nchw = "NCHW" }
);
manifest_word!(
    /// Which way the model reads grey values.
    Polarity, "input.polarity", {
        /// Raw transmission, as scanners store it: dark is dense.
        DarkIsDense = "dark_is_dense",
        /// Inverted: bright is dense.
        BrightIsDense = "bright_is_dense",
    }
);
manifest_word!(
    /// How a scan of unknown spacing is brought to the model's scale.
    Fit, "framing.fit", {
        /// Scale so that the scan's shorter side equals the input's side.
        ShortSide = "short_side",
        /// No scaling.
        Native = "native",
    }
);
manifest_word!(
    /// The order of a candidate's box values.
    BoxLayout, "output.layout", {
        /// `[x1, y1, x2, y2, score_0..]`.
        XyxyScores = "xyxy_scores",
        /// `[cx, cy, w, h, score_0..]`.
        CxcywhScores = "cxcywh_scores",
    }
);
manifest_word!(
    /// The space of the output boxes.
    BoxSpace, "output.box_space", {
        /// The frame's input pixels.
        ModelInputPx = "model_input_px",
    }
);
manifest_word!(
    /// What the output scores are.
    ScoreKind, "output.scores", {
        /// Already in `[0, 1]`.
        Probability = "probability",
        /// Logits: the sigmoid is applied when decoding.
        Logit = "logit",
    }
);

/// The model's input tensor.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InputSpec {
    pub name: String,
    pub width: u32,
    pub height: u32,
    /// Number of channels; the grey plane is repeated when a model wants more than one.
    pub channels: u32,
    /// Only `NCHW` is supported.
    pub layout: TensorLayout,
    /// Multiplier from 8-bit pixel values to the model's range (1/255 for 0..1).
    pub scale: f32,
    /// Per-channel mean subtracted after scaling.
    pub mean: Vec<f32>,
    /// Per-channel standard deviation divided by after the mean.
    pub std: Vec<f32>,
    /// The value (after scaling, before mean/std) of padding outside the scan: 1.0 is empty space.
    pub pad_value: f32,
    /// `dark_is_dense` (raw transmission, as scanners store it) or `bright_is_dense` (inverted).
    pub polarity: Polarity,
}

/// How a scan is brought to the model's working scale before framing.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FramingSpec {
    /// `short_side`: scale so the scan's shorter side equals the
    /// input's side; `native`: no scaling.
    pub fit: Fit,
    /// The largest upscale allowed for small scans (1.0 forbids upscaling; at most
    /// [`MAX_UPSCALE_LIMIT`]), whatever the framing rule: it bounds the working image.
    pub max_upscale: f32,
    /// Overlap between neighbouring frames, in working-scale pixels.
    pub overlap_px: u32,
    /// When set and the scan's pixel spacing is known, scale the scan to this spacing instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub working_mm_per_px: Option<f32>,
    /// The pixel spacing to assume for a scan that states none, when `working_mm_per_px` is
    /// set (the model card says why: e.g. the detector pitch of the scanner the model was trained
    /// for). Without it such scans fall back to `fit`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assumed_mm_per_px: Option<f32>,
    /// A second pass over the scan at a coarser scale, for objects longer than a frame.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coarse_pass: Option<CoarsePassSpec>,
}

/// The coarse pass: the scan framed again at `factor` times the working spacing (1 / `factor`
/// of the working scale), so that objects longer than a fine frame (rifles, shotguns) fit in one
/// frame. Only candidates whose longer side is at least `min_long_side_model_px` model pixels of
/// the coarse frame are kept from it; smaller objects are the fine pass's. It runs only when the
/// fine pass needs more than one frame (a scan that fits one fine frame is seen whole already).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CoarsePassSpec {
    pub factor: f32,
    pub min_long_side_model_px: f32,
}

/// The model's output tensor.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutputSpec {
    pub name: String,
    /// `xyxy_scores` ([x1,y1,x2,y2,score_0..]) or `cxcywh_scores` ([cx,cy,w,h,score_0..]).
    pub layout: BoxLayout,
    /// Only `model_input_px` is supported: boxes in the frame's input pixels.
    pub box_space: BoxSpace,
    /// `probability` (already in [0,1]) or `logit` (sigmoid applied here).
    pub scores: ScoreKind,
    /// True when the tensor is [N, 4+C, K] (candidates last, as Ultralytics
    /// exports) instead of [N, K, 4+C].
    #[serde(default)]
    pub candidates_last: bool,
}

/// Default thresholds of a model.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThresholdSpec {
    pub min_score: f32,
    pub alarm_score: f32,
    pub review_score: f32,
    pub nms_iou: f32,
}

/// A model manifest, as read from JSON.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManifestFile {
    pub schema: String,
    pub id: String,
    pub file: String,
    pub sha256: String,
    pub input: InputSpec,
    pub framing: FramingSpec,
    pub output: OutputSpec,
    pub classes: Vec<ClassInfo>,
    pub thresholds: ThresholdSpec,
    /// Rules that lower the score of a detection lying inside a stronger one of another category
    /// (a part inside a firearm), applied after the merge across frames and passes; none when
    /// absent ([`armscan_core::nested`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub damping: Vec<NestedDamping>,
    /// When present, every scan is screened twice, as it is and mirrored left to right, and the
    /// two views' detections fused by this rule, after each view's damping
    /// ([`armscan_core::views`]); absent: one view.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mirror_view: Option<ViewFusion>,
    /// Free-form notes (data, card); ignored by the runtime.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

/// A checked manifest with its model file's path.
#[derive(Clone, Debug)]
pub struct ModelManifest {
    pub spec: ManifestFile,
    pub taxonomy: Taxonomy,
    /// Where the manifest was read from.
    pub manifest_path: PathBuf,
    /// The `.onnx` file, resolved beside the manifest.
    pub model_path: PathBuf,
}

impl ModelManifest {
    /// Reads and checks a manifest. A path to an `.onnx` file is taken to mean the manifest
    /// beside it (`NAME.manifest.json`).
    ///
    /// # Errors
    /// [`DetectError::Io`] when it cannot be read, [`DetectError::Config`] naming the faulty field.
    pub fn load(path: &Path) -> Result<Self, DetectError> {
        let manifest_path = manifest_path_for(path);
        let text = std::fs::read_to_string(&manifest_path).map_err(|source| DetectError::Io {
            path: manifest_path.clone(),
            source,
        })?;
        Self::from_json(&text, &manifest_path)
    }

    /// Parses and checks a manifest's text; `manifest_path` locates the model file.
    ///
    /// # Errors
    /// [`DetectError::Config`] naming the faulty field.
    pub fn from_json(text: &str, manifest_path: &Path) -> Result<Self, DetectError> {
        let cfg = |reason: String| DetectError::Config {
            path: manifest_path.to_owned(),
            reason,
        };
        let spec: ManifestFile = serde_json::from_str(text).map_err(|e| cfg(e.to_string()))?;
        if spec.schema != MANIFEST_SCHEMA {
            return Err(cfg(format!(
                "schema `{}`, expected `{MANIFEST_SCHEMA}`",
                spec.schema
            )));
        }
        let i = &spec.input;
        if i.width == 0 || i.height == 0 || i.width > 8192 || i.height > 8192 {
            return Err(cfg(format!(
                "input size {}x{} out of range",
                i.width, i.height
            )));
        }
        if i.channels == 0 || i.channels > 4 {
            return Err(cfg(format!("input.channels {} (1 to 4)", i.channels)));
        }
        if i.mean.len() != i.channels as usize || i.std.len() != i.channels as usize {
            return Err(cfg(
                "input.mean and input.std need one value per channel".into()
            ));
        }
        if i.std.iter().any(|s| !s.is_finite() || *s == 0.0)
            || !i.scale.is_finite()
            || i.scale == 0.0
        {
            return Err(cfg(
                "input.scale and input.std must be finite and non-zero".into()
            ));
        }
        let f = &spec.framing;
        if !(f.max_upscale.is_finite() && (1.0..=MAX_UPSCALE_LIMIT).contains(&f.max_upscale)) {
            return Err(cfg(format!(
                "framing.max_upscale = {} (1 to {MAX_UPSCALE_LIMIT})",
                f.max_upscale
            )));
        }
        if f.overlap_px >= i.width.min(i.height) {
            return Err(cfg(
                "framing.overlap_px must be smaller than the input".into()
            ));
        }
        if f.working_mm_per_px
            .is_some_and(|v| !(v.is_finite() && v > 0.0))
        {
            return Err(cfg("framing.working_mm_per_px must be positive".into()));
        }
        if f.assumed_mm_per_px
            .is_some_and(|v| !(v.is_finite() && v > 0.0))
        {
            return Err(cfg("framing.assumed_mm_per_px must be positive".into()));
        }
        if f.assumed_mm_per_px.is_some() && f.working_mm_per_px.is_none() {
            return Err(cfg(
                "framing.assumed_mm_per_px needs framing.working_mm_per_px".into(),
            ));
        }
        if let Some(c) = f.coarse_pass {
            if !(c.factor > 1.0 && c.factor <= MAX_COARSE_FACTOR) {
                return Err(cfg(format!(
                    "framing.coarse_pass.factor = {} (above 1, at most {MAX_COARSE_FACTOR})",
                    c.factor
                )));
            }
            if !(c.min_long_side_model_px.is_finite() && c.min_long_side_model_px >= 0.0) {
                return Err(cfg(
                    "framing.coarse_pass.min_long_side_model_px must be finite and >= 0".into(),
                ));
            }
        }
        let t = &spec.thresholds;
        for (name, v) in [
            ("min_score", t.min_score),
            ("alarm_score", t.alarm_score),
            ("review_score", t.review_score),
            ("nms_iou", t.nms_iou),
        ] {
            if !(0.0..=1.0).contains(&v) {
                return Err(cfg(format!("thresholds.{name} = {v} is outside [0, 1]")));
            }
        }
        for (i, rule) in spec.damping.iter().enumerate() {
            rule.check()
                .map_err(|reason| cfg(format!("damping[{i}]: {reason}")))?;
        }
        if let Some(rule) = &spec.mirror_view {
            rule.check()
                .map_err(|reason| cfg(format!("mirror_view: {reason}")))?;
        }
        if spec.sha256.len() != 64 || !spec.sha256.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(cfg("sha256 must be 64 hex digits".into()));
        }
        let taxonomy =
            Taxonomy::new(spec.classes.clone()).map_err(|e| cfg(format!("classes: {e}")))?;
        let dir = manifest_path.parent().unwrap_or_else(|| Path::new("."));
        if spec.file.contains("..") || Path::new(&spec.file).is_absolute() {
            return Err(cfg("file must name a file beside the manifest".into()));
        }
        let model_path = dir.join(&spec.file);
        Ok(Self {
            spec,
            taxonomy,
            manifest_path: manifest_path.to_owned(),
            model_path,
        })
    }

    /// Reads the model file and checks its sha256 against the manifest.
    ///
    /// # Errors
    /// [`DetectError::Io`] or [`DetectError::Model`] on a hash mismatch.
    pub fn read_model_bytes(&self) -> Result<Vec<u8>, DetectError> {
        let bytes = std::fs::read(&self.model_path).map_err(|source| DetectError::Io {
            path: self.model_path.clone(),
            source,
        })?;
        let digest = sha256_hex(&bytes);
        if !digest.eq_ignore_ascii_case(&self.spec.sha256) {
            return Err(DetectError::Model {
                path: self.model_path.clone(),
                reason: format!("sha256 is {digest}, the manifest says {}", self.spec.sha256),
            });
        }
        Ok(bytes)
    }

    /// The model's default thresholds.
    #[must_use]
    pub fn thresholds(&self) -> Thresholds {
        let t = self.spec.thresholds;
        Thresholds::new(t.min_score, t.review_score, t.alarm_score)
    }
}

/// The manifest path of a model given as `.onnx` (the `NAME.manifest.json`
/// beside it) or as its manifest.
#[must_use]
pub fn manifest_path_for(model: &Path) -> PathBuf {
    if model.extension().is_some_and(|e| e == "onnx") {
        model.with_extension("manifest.json")
    } else {
        model.to_owned()
    }
}

/// Lower-case hex sha256 of some bytes.
#[must_use]
pub fn sha256_hex(bytes: &[u8]) -> String {
    let d = Sha256::digest(bytes);
    d.iter().map(|b| format!("{b:02x}")).collect()
}
