//! Domain types and geometry for armscan.
//!
//! This crate has no I/O. It defines:
//! - [`geometry`]: axis-aligned boxes that carry their coordinate space in the type
//!   ([`BoxInImage`], [`BoxInModel`]), IoU, clipping;
//! - [`nms`]: class-aware non-maximum suppression and the merge of detections across frame borders;
//! - [`views`]: a scan and its left-right mirror, and the fusion of their detections;
//! - [`nested`]: damping of a detection that a containing one of another category explains (a part
//!   inside a firearm);
//! - [`frames`]: how a scan at working scale is cut into overlapping frames;
//! - [`spacing`]: pixel spacing and where it came from ([`PixelSpacing`], [`SpacingSource`]);
//! - [`taxonomy`]: fine classes and the UN Firearms Protocol's three categories;
//! - [`profile`]: what is known of the scanner a scan came from ([`ScannerProfile`]);
//! - [`scan`]: the [`Scan`] and its planes (single-energy grey, dual-energy high/low,
//!   pseudo-colour);
//! - [`tools`]: an operator console's image tools (negative, penetration, stripping, edges, gamma);
//! - [`verdict`]: detections and the clear / alarm / review decision.

pub mod colour;
pub mod frames;
pub mod geometry;
pub mod nested;
pub mod nms;
pub mod profile;
pub mod scan;
pub mod spacing;
pub mod taxonomy;
pub mod tools;
pub mod verdict;
pub mod views;

pub use frames::{FrameGrid, FrameRect};
pub use geometry::{BoxInImage, BoxInModel, Image, Model, Rect, Space};
pub use nested::{damp_nested_mut, NestedDamping};
pub use nms::{
    join_coarse_detections, merge_frame_detections, merge_frame_pieces, nms_mut, FrameDetection,
};
pub use profile::{DualOrder, ScannerProfile, StoredValues, SCANNER_PROFILE_SCHEMA};
pub use scan::{DicosImageRef, Plane, PlaneError, Planes, RgbPlane, Scan};
pub use spacing::{
    estimate_from_content, ContentEstimate, ContentPrior, PixelSpacing, SpacingSource,
};
pub use taxonomy::{Category, ClassInfo, Taxonomy, TaxonomyError};
pub use verdict::{Detection, Status, ThresholdOverrides, Thresholds};
pub use views::{fuse_views, mirror_box, mirror_detections_mut, ViewFusion};
