//! Synthetic dual-energy X-ray scans of parcels and bags with firearms, their parts and
//! ammunition, for training and testing armscan detectors.
//!
//! - [`physics`]: materials with NIST mass attenuation coefficients at 60 and 150 keV,
//!   Beer–Lambert transmission, and a line-scan detector (blur, photon noise, row gains, floor);
//! - [`shapes`]: procedural footprints with thickness maps, rasterised into attenuation;
//! - [`scene`]: containers (boxes, envelopes, mailers, bags) and everyday clutter;
//! - [`threats`]: firearms, parts and ammunition from real dimensions, one module per family;
//! - [`tip`]: threat image projection by multiplying transmissions;
//! - [`sources`]: real threat crops and real clean bags for TIP, selected from a COCO data set
//!   with the shared reader of [`armscan_coco`];
//! - [`options`]: [`SynthOptions`], what a dataset is made of;
//! - [`render`]: one scene, [`render_scene`]: background, threats placed, detector model;
//! - [`trial`]: one trial for people (trainer mode): a threat projected into a clean bag at a
//!   chosen view and cover, with its exact box;
//! - [`dataset`]: one call, [`generate`], writes PNG planes, COCO ([`dataset::coco`]) and YOLO
//!   labels, a contact sheet;
//! - [`error`]: the error type, [`SynthError`].
//!
//! ```no_run
//! use armscan_synth::{generate, SynthOptions};
//! let opts = SynthOptions::default().with_count(100).with_seed(7);
//! let summary = generate(&opts, std::path::Path::new("out/synth"), |done| eprintln!("{done}"))?;
//! # Ok::<(), armscan_synth::SynthError>(())
//! ```

pub mod dataset;
pub mod error;
pub mod options;
pub mod physics;
pub mod render;
pub mod rng;
pub mod scene;
pub mod shapes;
pub mod sources;
pub mod threats;
pub mod tip;
pub mod trial;

pub use dataset::coco::class_index;
pub use dataset::{generate, generate_with, SynthSummary};
pub use error::SynthError;
pub use options::{Plane, SynthOptions};
pub use physics::{DetectorModel, DualT, Material};
pub use render::{render_scene, render_scene_with, Scene, ThreatAnnotation, VISIBLE_THRESHOLD};
pub use sources::{labelled_scans, CocoSelection, LabelledScan, TipSources};
pub use threats::ThreatMix;
pub use tip::project_mut;
